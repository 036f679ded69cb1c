// Package review decides which proposed decisions need legal review, checks submissions and runs the review to its opinion (SPEC L1-L5, 000-review, 002-review).
package review
