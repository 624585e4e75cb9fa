/* golink: <linux/delay.h> for modules built outside the kernel tree; what it
 * declares comes from <golink/module.h>. */
#include <golink/module.h>
