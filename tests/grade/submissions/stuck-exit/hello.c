// SPDX-License-Identifier: GPL-2.0
/* Its exit sleeps uninterruptibly for ever: rmmod never returns, and no
 * signal (not even SIGKILL) ends it. */
#include <linux/module.h>
#include <linux/sched.h>

static char *who = "world";
module_param(who, charp, 0444);

static int __init hello_init(void)
{
	pr_info("hello, %s\n", who);
	return 0;
}

static void __exit hello_exit(void)
{
	pr_info("goodbye\n");
	set_current_state(TASK_UNINTERRUPTIBLE);
	schedule();	/* nobody wakes it */
}

module_init(hello_init);
module_exit(hello_exit);
MODULE_LICENSE("GPL");
