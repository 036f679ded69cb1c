// Package ledger builds and checks the tamper-evident case record: canonical entries, per-case SHA-256 hash chains, Ed25519 device signatures and the offline verifier (SPEC R1, R2, R3, F10).
package ledger
