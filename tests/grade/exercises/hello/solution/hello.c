// SPDX-License-Identifier: GPL-2.0
/* hello.c - the grader's own test exercise: a module that greets. */
#include <linux/module.h>

/* STEP 1: Take the name to greet as a module parameter "who". */
static char *who = "world";
module_param(who, charp, 0444);
/* SKELETON: static char *who = "world"; */
/* END STEP 1 */

static int __init hello_init(void)
{
	/* STEP 2: Greet with pr_info(): "hello, <who>". */
	pr_info("hello, %s\n", who);
	/* END STEP 2 */
	return 0;
}

static void __exit hello_exit(void)
{
	pr_info("goodbye\n");
}

module_init(hello_init);
module_exit(hello_exit);
MODULE_LICENSE("GPL");
