// SPDX-License-Identifier: GPL-2.0
/*
 * @CNAME@.c - the reference solution of exercise @EXERCISE@: a module that
 * greets the name it is given.  FILL IN: your own exercise.
 *
 * The skeleton students start from is made from this file: the code between
 * "STEP n" and "END STEP n" becomes "TODO n: <the step's words>", and each
 * "SKELETON:" line becomes code, so the skeleton still builds.  One hint per
 * step goes in the lesson's exercise.hints.
 */
#include <linux/module.h>

/* STEP 1: Take the name to greet as the module parameter "who". */
static char *who = "world";
module_param(who, charp, 0444);
/* SKELETON: static char *who = "world"; */
/* END STEP 1 */

static int __init @CNAME@_init(void)
{
	/* STEP 2: Greet with pr_info(): "hello, <who>". */
	pr_info("hello, %s\n", who);
	/* END STEP 2 */
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
