// Package ui is the officer's Fyne field app: one file per screen over the offline field core, with no fyne.io/fyne/v2/app import so screens are tested with fyne's test driver.
package ui
