// SPDX-License-Identifier: GPL-2.0
/* hello.c - messages prefixed with the module name, at notice level. */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt
#include <linux/module.h>

static char *who = "world";
module_param(who, charp, 0444);

static int __init hello_init(void)
{
	pr_notice("hello, %s\n", who);
	return 0;
}

static void __exit hello_exit(void)
{
	pr_notice("goodbye\n");
}

module_init(hello_init);
module_exit(hello_exit);
MODULE_LICENSE("GPL");
