// SPDX-License-Identifier: GPL-2.0
/* Its init prints to the kernel log without pause for 20 seconds. */
#include <linux/jiffies.h>
#include <linux/module.h>

static char *who = "world";
module_param(who, charp, 0444);

static int __init hello_init(void)
{
	unsigned long end = jiffies + 20 * HZ;
	unsigned long n = 0;

	pr_info("hello, %s\n", who);
	while (time_before(jiffies, end))
		pr_info("hello again, %s: %lu\n", who, n++);
	return 0;
}

static void __exit hello_exit(void)
{
	pr_info("goodbye\n");
}

module_init(hello_init);
module_exit(hello_exit);
MODULE_LICENSE("GPL");
