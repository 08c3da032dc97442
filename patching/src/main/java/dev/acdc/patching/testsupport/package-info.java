/**
 * Test support only: locating the shared fixtures folder. Nothing at run time uses it.
 */
package dev.acdc.patching.testsupport;
