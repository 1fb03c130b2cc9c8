package browser

// platformOpener is the shell's URL protocol handler, which opens the
// default browser without a console window or cmd.exe's parsing of the
// URL's & characters (start would need both).
func platformOpener(u string) ([]string, error) {
	return []string{"rundll32.exe", "url.dll,FileProtocolHandler", u}, nil
}
