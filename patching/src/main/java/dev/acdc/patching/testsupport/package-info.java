/**
 * Test support only: {@link dev.acdc.patching.testsupport.Fixtures} finds the fixtures kept in the repository's
 * test resources (the tiny GPT-2 golden model, the real GPT-2 tokenizer, the generated datasets). Nothing at run
 * time uses this package.
 */
package dev.acdc.patching.testsupport;
