// Package enforce holds the enforcement domain: officers and credentials, procedure definitions read from data, and the on-scene guard that refuses steps the law does not allow (SPEC F2, F3, F4, F9, F11).
package enforce
