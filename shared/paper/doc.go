// Package paper renders on-scene records as PDF documents for a portable printer and the case file: the rights notice, notes, sample list and service receipt, and the forms handed over on the scene — the on-the-spot penalty decision with every element 行政处罚法 §52 requires, the seizure record and list, the order to correct, the inspection opinion (SPEC F12, F14, F15).
package paper
