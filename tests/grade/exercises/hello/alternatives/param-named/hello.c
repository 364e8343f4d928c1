// SPDX-License-Identifier: GPL-2.0
/* hello.c - the parameter "who" kept in a variable of another name. */
#include <linux/module.h>

static char *name = "world";
module_param_named(who, name, charp, 0444);

static int __init hello_init(void)
{
	pr_info("hello, %s\n", name);
	return 0;
}

static void __exit hello_exit(void)
{
	pr_info("goodbye\n");
}

module_init(hello_init);
module_exit(hello_exit);
MODULE_LICENSE("GPL");
