/* SPDX-License-Identifier: MIT */
/* cli.h - the addrlab command's subcommands (thin front ends over the libraries). */
#ifndef ADDRLAB_CLI_H
#define ADDRLAB_CLI_H

/* Exit statuses of our own, beside a guest command's own status. */
#define EXIT_FAILED	1	/* a check failed, or the command could not do its work */
#define EXIT_USAGE	2	/* bad command line */
#define EXIT_NOT_CHECKED 3	/* a check could not be run: the lab's failure */
#define EXIT_TIMEOUT	124	/* the guest command ran past --timeout (as timeout(1)) */
#define EXIT_VM		125	/* the lab VM failed: did not boot, oops, panic, hang, QEMU died */

/* `addrlab` alone: the curses workbook. */
int cmd_workbook(int argc, char **argv);

/* `addrlab vm ...`: argv[0] is "vm". */
int cmd_vm(int argc, char **argv);

/* `addrlab list | check EX | hint EX | reset EX | watch EX`: argv[0] is the
 * subcommand's name. */
int cmd_ex(int argc, char **argv);

/* Prints "addrlab: " + message + newline to stderr; returns status. */
int cli_error(int status, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif /* ADDRLAB_CLI_H */
