// SPDX-License-Identifier: GPL-2.0
/*
 * @CNAME@.c - correct, but unlike the reference: every message starts with
 * the module's name (pr_fmt), and goes out at notice level.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt
#include <linux/module.h>

static char *who = "world";
module_param(who, charp, 0444);

static int __init @CNAME@_init(void)
{
	pr_notice("hello, %s\n", who);
	return 0;
}

static void __exit @CNAME@_exit(void)
{
	pr_notice("goodbye\n");
}

module_init(@CNAME@_init);
module_exit(@CNAME@_exit);
MODULE_DESCRIPTION("Greets the name it is given");
MODULE_LICENSE("GPL");
