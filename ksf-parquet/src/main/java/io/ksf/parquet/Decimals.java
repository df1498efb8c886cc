package io.ksf.parquet;

import io.ksf.spi.InvalidRecordException;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.LogicalTypeAnnotation.DecimalLogicalTypeAnnotation;
import org.apache.parquet.schema.PrimitiveType;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Arrays;

/**
 * DECIMAL(precision, scale) columns: a JSON number or numeric string is stored exactly, as its unscaled integer in
 * INT32 (precision up to 9), INT64 (up to 18) or a fixed-length two's-complement byte array. A value with more
 * decimal places than the scale, or more digits than the precision, does not fit: nothing is rounded.
 */
final class Decimals {
    private Decimals() {
    }

    /** The bytes of a fixed-length decimal column of this precision, as the Parquet format computes them. */
    static int bytesFor(int precision) {
        int bytes = 1;
        while (BigInteger.TEN.pow(precision).compareTo(BigInteger.ONE.shiftLeft(8 * bytes - 1)) > 0) {
            bytes++;
        }
        return bytes;
    }

    static Object convert(PrimitiveType column, DecimalLogicalTypeAnnotation decimal, Object value, String path) {
        BigDecimal exact = exact(value, path);
        BigDecimal scaled;
        try {
            scaled = exact.setScale(decimal.getScale());
        } catch (ArithmeticException e) {
            throw new InvalidRecordException(Rows.where(path) + "the number " + exact.toPlainString() + " has more "
                    + "decimal places than the column's scale " + decimal.getScale());
        }
        BigInteger unscaled = scaled.unscaledValue();
        if (unscaled.abs().compareTo(BigInteger.TEN.pow(decimal.getPrecision())) >= 0) {
            throw new InvalidRecordException(Rows.where(path) + "the number " + exact.toPlainString() + " is beyond "
                    + "the column's range: decimal(" + decimal.getPrecision() + ", " + decimal.getScale() + ")");
        }
        return switch (column.getPrimitiveTypeName()) {
            case INT32 -> unscaled.intValueExact();
            case INT64 -> unscaled.longValueExact();
            default -> Binary.fromConstantByteArray(twosComplement(unscaled, column.getTypeLength()));
        };
    }

    private static BigDecimal exact(Object value, String path) {
        try {
            if (value instanceof BigDecimal big) {
                return big;
            }
            if (value instanceof BigInteger big) {
                return new BigDecimal(big);
            }
            if (value instanceof Double || value instanceof Float) {
                return new BigDecimal(value.toString()); // the shortest text that reads back as this double
            }
            if (value instanceof Number number) {
                return BigDecimal.valueOf(number.longValue());
            }
            if (value instanceof String text) {
                return new BigDecimal(text.trim());
            }
        } catch (NumberFormatException e) {
            // described below
        }
        throw new InvalidRecordException(Rows.where(path) + "expected a decimal number, found "
                + Rows.describe(value));
    }

    /** Big-endian two's complement, sign-extended to {@code length} bytes. */
    private static byte[] twosComplement(BigInteger unscaled, int length) {
        byte[] minimal = unscaled.toByteArray();
        byte[] out = new byte[length];
        Arrays.fill(out, 0, length - minimal.length, unscaled.signum() < 0 ? (byte) -1 : 0);
        System.arraycopy(minimal, 0, out, length - minimal.length, minimal.length);
        return out;
    }
}
