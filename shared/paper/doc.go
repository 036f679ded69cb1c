// Package paper renders on-scene records (rights notice, notes, sample list, service receipt) as PDF documents for a portable printer and the case file (SPEC F12).
package paper
