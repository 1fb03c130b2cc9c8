//go:build windows

package main

const ttyPath = "CONIN$"
