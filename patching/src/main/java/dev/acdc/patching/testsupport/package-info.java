/**
 * Test support only: {@link dev.acdc.patching.testsupport.Fixtures} finds the fixtures kept in the repository's
 * test resources (the tiny GPT-2 golden model, the real GPT-2 tokenizer, the generated datasets), and
 * {@link dev.acdc.patching.testsupport.FreedNativeMemory} makes a backward pass that reads freed native memory
 * fail every time. Nothing at run time uses this package.
 */
package dev.acdc.patching.testsupport;
