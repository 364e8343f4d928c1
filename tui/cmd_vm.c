// SPDX-License-Identifier: MIT
/* cmd_vm.c - `addrlab vm shell` and `addrlab vm run`. */
#define _GNU_SOURCE
#include "cli.h"
#include "vm.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

static const char vm_usage[] =
	"usage: addrlab vm shell [--iommu]\n"
	"       addrlab vm run [--iommu] [--timeout SECONDS] -- COMMAND...\n"
	"\n"
	"shell   an interactive root shell in a fresh lab VM; ^C and ^Z reach the\n"
	"        guest; 'exit' or ^D ends it and the VM with it\n"
	"run     boots a fresh lab VM, runs COMMAND there with /bin/sh -c (the words\n"
	"        are joined with spaces, as ssh does), prints its stdout and stderr\n"
	"        to ours and exits with its status\n"
	"\n"
	"options:\n"
	"  --iommu            q35 machine with an Intel IOMMU: DMA addresses become\n"
	"                     IOVAs, unrelated to physical addresses\n"
	"  --timeout SECONDS  stop COMMAND after this long (default: no limit)\n"
	"\n"
	"exit status: COMMAND's own (128+N if signal N ended it); 124 if it ran past\n"
	"--timeout; 125 if the lab VM failed (did not boot, kernel oops or panic,\n"
	"guest hung, QEMU died, the guest agent reported an impossible status),\n"
	"with the reason and the console excerpt on stderr; 2 for a bad command line.\n";

static struct termios saved_tio;
static bool tio_saved;
static volatile sig_atomic_t winch;

static void restore_terminal(void)
{
	if (tio_saved)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_tio);
	tio_saved = false;
}

static void on_fatal(int sig)
{
	restore_terminal();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void on_winch(int sig)
{
	(void)sig;
	winch = 1;
}

static int report(struct vm *vm, const struct vm_result *res, bool interactive)
{
	/* An exit status is a byte: 256 would read as success. */
	if (res->verdict == VM_OK && res->exit_code >= 0 &&
	    res->exit_code <= 255)
		return res->exit_code;
	if (interactive)
		restore_terminal();
	if (res->verdict == VM_TIMEOUT) {
		cli_error(0, "%s", res->message);
		return EXIT_TIMEOUT;
	}
	cli_error(0, "%s", res->message[0] ? res->message :
		  vm_verdict_words(res->verdict));
	if (res->evidence[0]) {
		fputs("--- evidence ---\n", stderr);
		fputs(res->evidence, stderr);
		if (res->evidence[strlen(res->evidence) - 1] != '\n')
			fputc('\n', stderr);
		fputs("---\n", stderr);
	}
	fprintf(stderr, "addrlab: full kernel console: %s\n", vm_console_path(vm));
	return EXIT_VM;
}

static int boot(struct vm *vm)
{
	if (isatty(STDERR_FILENO))
		fputs("addrlab: booting the lab VM...\r", stderr);
	if (vm_start(vm)) {
		if (isatty(STDERR_FILENO))
			fputs("\n", stderr);
		return cli_error(EXIT_VM, "%s", vm_error(vm));
	}
	if (isatty(STDERR_FILENO))
		fputs("                               \r", stderr);
	return 0;
}

static int vm_run_cmd(struct vm *vm, int argc, char **argv,
		      unsigned int timeout_s)
{
	struct vm_exec_opts o = {
		.timeout_ms = timeout_s * 1000, .stdin_fd = -1,
		.on_output = vm_output_to_stdio,
	};
	const char *sh[] = { "/bin/sh", "-c", NULL, NULL };
	struct vm_result res;
	size_t len = 1;
	char *cmd;
	int rc;

	for (int i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	cmd = calloc(1, len);
	if (!cmd)
		return cli_error(EXIT_VM, "out of memory");
	for (int i = 0; i < argc; i++) {
		if (i)
			strcat(cmd, " ");
		strcat(cmd, argv[i]);
	}
	sh[2] = cmd;
	rc = boot(vm);
	if (!rc) {
		if (vm_exec(vm, sh, &o, &res))
			rc = cli_error(EXIT_VM, "%s", vm_error(vm));
		else
			rc = report(vm, &res, false);
		vm_result_free(&res);
	}
	free(cmd);
	return rc;
}

static int vm_shell(struct vm *vm)
{
	const char *argv[] = { "/bin/sh", "-l", NULL };
	bool tty = isatty(STDIN_FILENO);
	struct vm_exec_opts o = {
		.stdin_fd = STDIN_FILENO, .pty = tty, .on_output = vm_output_to_stdio,
		.winch = &winch,
	};
	struct vm_result res;
	int rc = boot(vm);

	if (rc)
		return rc;
	if (tty) {
		struct termios raw;
		struct sigaction sa = { .sa_handler = on_winch };

		if (tcgetattr(STDIN_FILENO, &saved_tio) == 0) {
			tio_saved = true;
			atexit(restore_terminal);
			signal(SIGTERM, on_fatal);
			signal(SIGHUP, on_fatal);
			raw = saved_tio;
			/* The guest's terminal does the echo, the line editing
			 * and ^C; ours passes every byte through. */
			cfmakeraw(&raw);
			tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw);
		}
		sigaction(SIGWINCH, &sa, NULL);
	}
	if (vm_exec(vm, argv, &o, &res)) {
		restore_terminal();
		return cli_error(EXIT_VM, "%s", vm_error(vm));
	}
	restore_terminal();
	rc = report(vm, &res, tty);
	vm_result_free(&res);
	return rc;
}

int cmd_vm(int argc, char **argv)
{
	struct vm_options opts = { 0 };
	unsigned int timeout_s = 0;
	const char *sub;
	struct vm *vm;
	int i, rc;

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fputs(vm_usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : 0;
	}
	sub = argv[1];
	if (strcmp(sub, "run") && strcmp(sub, "shell"))
		return cli_error(EXIT_USAGE, "unknown vm command '%s'; see 'addrlab vm --help'",
				 sub);
	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		}
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(vm_usage, stdout);
			return 0;
		}
		if (!strcmp(argv[i], "--iommu")) {
			opts.iommu = true;
		} else if (!strcmp(argv[i], "--timeout") && !strcmp(sub, "run")) {
			char *end;
			long v;

			if (i + 1 >= argc)
				return cli_error(EXIT_USAGE, "'--timeout' needs a number of seconds");
			v = strtol(argv[++i], &end, 10);
			if (*end || v < 0 || v > 86400)
				return cli_error(EXIT_USAGE, "'--timeout %s' is not a number of seconds (0 to 86400)",
						 argv[i]);
			timeout_s = (unsigned int)v;
		} else if (argv[i][0] == '-') {
			return cli_error(EXIT_USAGE, "unknown option '%s' for 'vm %s'; see 'addrlab vm --help'",
					 argv[i], sub);
		} else {
			break;
		}
	}
	if (!strcmp(sub, "run") && i >= argc)
		return cli_error(EXIT_USAGE, "'vm run' needs a command: addrlab vm run -- COMMAND...");
	if (!strcmp(sub, "shell") && i < argc)
		return cli_error(EXIT_USAGE, "'vm shell' takes no command; use 'addrlab vm run -- %s'",
				 argv[i]);
	vm = vm_new(&opts);
	if (!vm)
		return cli_error(EXIT_VM, "out of memory");
	if (!strcmp(sub, "run"))
		rc = vm_run_cmd(vm, argc - i, argv + i, timeout_s);
	else
		rc = vm_shell(vm);
	vm_free(vm);
	return rc;
}
