/*
 * A stand-in for Windows' bcryptprimitives.dll, for running Go programs
 * under Wine 8 (Debian 12), which lacks that DLL. Since Go 1.22 the
 * runtime takes its random bytes from ProcessPrng in bcryptprimitives.dll
 * (present on Windows 10 and later) and throws "bcryptprimitives.dll not
 * found" at start-up without it. Wine has the DLL since 8.13 (9.0
 * stable); this one forwards to BCryptGenRandom, which Wine 8 has. No C
 * runtime: DllMain is the entry point.
 *
 * Built by test/wine (wine_test.go), which copies the result into the
 * Wine prefix's System32, with
 *   x86_64-w64-mingw32-gcc -shared -nostdlib -Wl,-e,DllMain \
 *     -Wl,--no-insert-timestamp -O2 -s \
 *     -o bcryptprimitives.dll bcryptprimitives.c -lbcrypt
 */
#include <windows.h>
#include <bcrypt.h>

/* ProcessPrng fills data with len random bytes and never fails on
 * Windows; here it fails (FALSE) only if BCryptGenRandom does. */
__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
	while (len > 0) {
		ULONG n = len > 0x40000000 ? 0x40000000 : (ULONG)len;
		if (BCryptGenRandom(NULL, data, n, BCRYPT_USE_SYSTEM_PREFERRED_RNG) != 0)
			return FALSE;
		data += n;
		len -= n;
	}
	return TRUE;
}

BOOL WINAPI DllMain(HINSTANCE dll, DWORD reason, LPVOID reserved)
{
	return TRUE;
}
