package dev.acdc.patching.load;

/**
 * A checkpoint, tokenizer or model name that cannot be loaded: a missing file, a truncated or
 * malformed safetensors file, a wrong dtype, a missing or mis-shaped tensor, an unknown model name,
 * or no network when a download is needed.
 *
 * <p>The message is one line that names the file or tensor, what was expected and what was found,
 * and how to fix it. It extends {@link IllegalArgumentException} because it is bad input: the CLI
 * prints the message and exits 2.
 */
public class ModelLoadException extends IllegalArgumentException {
    public ModelLoadException(String message) {
        super(message);
    }

    public ModelLoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
