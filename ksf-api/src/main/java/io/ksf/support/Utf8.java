package io.ksf.support;

import io.ksf.spi.InvalidRecordException;

/** What JSON readers check of decoded text before it is written as UTF-8 again. */
public final class Utf8 {
    private Utf8() {
    }

    /**
     * Refuses a string holding a lone surrogate, which has no UTF-8 form (an encoder would silently replace it).
     *
     * @throws InvalidRecordException naming the surrogate
     */
    public static void requireEncodable(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new InvalidRecordException(String.format("not valid JSON: a string holds a lone surrogate "
                        + "\\u%04X, which has no UTF-8 form", (int) c));
            }
        }
    }
}
