/* SPDX-License-Identifier: MIT */
/* A module that is not a driver: it exports no DriverEntry. */
int wskport_test_not_a_driver(void);
int wskport_test_not_a_driver(void) { return 1; }
