package io.ksf.format.json;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Finds a line break ({@code \n} or {@code \r}) in a value, eight bytes at a time: every pass-through record is
 * checked, and a byte-by-byte loop was the largest part of the poll thread's work on that path.
 */
final class LineBreaks {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long LF = 0x0A0A0A0A0A0A0A0AL;
    private static final long CR = 0x0D0D0D0D0D0D0D0DL;
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;

    private LineBreaks() {
    }

    /** Whether the value holds a {@code \n} or {@code \r} byte. */
    static boolean in(byte[] value) {
        int i = 0;
        for (int end = value.length - 7; i < end; i += 8) {
            long word = (long) LONGS.get(value, i);
            if ((zeroBytes(word ^ LF) | zeroBytes(word ^ CR)) != 0) {
                return true;
            }
        }
        for (; i < value.length; i++) {
            if (value[i] == '\n' || value[i] == '\r') {
                return true;
            }
        }
        return false;
    }

    /** Not 0 exactly when the word has a zero byte (a borrow can misplace the mark, not invent one). */
    private static long zeroBytes(long word) {
        return (word - ONES) & ~word & HIGHS;
    }
}
