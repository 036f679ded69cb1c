// Package archtest holds tests that keep the architecture honest: shared/ free of adapters, every package documented.
package archtest
