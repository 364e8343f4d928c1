// SPDX-License-Identifier: MIT
/*
 * main.c - the `addrlab` command.  Option parsing and dispatch only: the
 * workbook is cmd_workbook.c over the libraries in tui/, grader/ and vm/.
 */
#include "cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define ADDRLAB_VERSION "0.1"

static const char usage[] =
	"usage: addrlab                        the workbook (a terminal UI)\n"
	"       addrlab [--help] [--version] COMMAND ...\n"
	"\n"
	"addrlab is a hands-on workbook on how Linux reaches memory and devices:\n"
	"virtual, physical and bus addresses on QEMU's edu PCI device, in a lab\n"
	"VM that addrlab boots by itself.\n"
	"\n"
	"commands:\n"
	"  list                                 every chapter: quiz score, exercise status\n"
	"  check EXERCISE                       check your files for EXERCISE once\n"
	"  watch EXERCISE                       check them again on every save, until ^C\n"
	"  hint EXERCISE                        reveal EXERCISE's next hint\n"
	"  reset EXERCISE                       put the skeleton back (your files are kept)\n"
	"  vm shell [--iommu]                   an interactive root shell in the lab VM\n"
	"  vm run [OPTIONS] -- COMMAND...       run COMMAND in the lab VM (through /bin/sh),\n"
	"                                       print its output, exit with its status\n"
	"\n"
	"Run 'addrlab COMMAND --help' for its options.  Your files live in\n"
	"~/addrlab-work (ADDRLAB_WORKSPACE), your progress in\n"
	"~/.local/state/addrlab (XDG_STATE_HOME).  The lab VM boots in about three\n"
	"seconds without KVM; ADDRLAB_ACCEL=kvm|tcg overrides the accelerator choice.\n";

int cli_error(int status, const char *fmt, ...)
{
	va_list ap;

	fputs("addrlab: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return status;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return cmd_workbook(argc, argv);
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fputs(usage, stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		puts("addrlab " ADDRLAB_VERSION);
		return 0;
	}
	if (!strcmp(argv[1], "vm"))
		return cmd_vm(argc - 1, argv + 1);
	if (!strcmp(argv[1], "list") || !strcmp(argv[1], "check") ||
	    !strcmp(argv[1], "hint") || !strcmp(argv[1], "reset") ||
	    !strcmp(argv[1], "watch"))
		return cmd_ex(argc - 1, argv + 1);
	return cli_error(EXIT_USAGE, "unknown command '%s'; see 'addrlab --help'",
			 argv[1]);
}
