// SPDX-License-Identifier: MIT
/* a shared object that defines no design */
int not_a_design(void);
int not_a_design(void)
{
	return 0;
}
