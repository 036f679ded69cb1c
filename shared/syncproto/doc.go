// Package syncproto is the versioned wire contract between terminals and the backend: frames, messages, errors, tree heads and proofs, and a Session that runs over any message connection (SPEC S1-S6, R2).
package syncproto
