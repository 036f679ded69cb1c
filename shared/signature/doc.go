// Package signature parses, encodes and renders handwritten signatures captured on screen as strokes (SPEC F10).
package signature
