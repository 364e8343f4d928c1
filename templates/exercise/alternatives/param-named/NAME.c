// SPDX-License-Identifier: GPL-2.0
/*
 * @CNAME@.c - correct, but unlike the reference: the parameter "who" is
 * kept in a variable of another name (module_param_named).  FILL IN: each
 * alternative is a correct solution written the way a strong student might
 * differ from the reference; lint fails a check that does not pass it.
 */
#include <linux/module.h>

static char *name = "world";
module_param_named(who, name, charp, 0444);

static int __init @CNAME@_init(void)
{
	pr_info("hello, %s\n", name);
	return 0;
}

static void __exit @CNAME@_exit(void)
{
	pr_info("goodbye\n");
}

module_init(@CNAME@_init);
module_exit(@CNAME@_exit);
MODULE_DESCRIPTION("Greets the name it is given");
MODULE_LICENSE("GPL");
