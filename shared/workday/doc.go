// Package workday counts working days on the official Chinese holiday calendar (国务院办公厅节假日安排), adjusted working days (调休) included, for the deadline rules of SPEC D5.
package workday
