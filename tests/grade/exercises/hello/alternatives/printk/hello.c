// SPDX-License-Identifier: GPL-2.0
/* hello.c - printk with KERN_INFO instead of pr_info. */
#include <linux/module.h>

static char *who = "world";
module_param(who, charp, 0444);

static int __init hello_init(void)
{
	printk(KERN_INFO "hello, %s\n", who);
	return 0;
}

static void __exit hello_exit(void)
{
	printk(KERN_INFO "goodbye\n");
}

module_init(hello_init);
module_exit(hello_exit);
MODULE_LICENSE("GPL");
