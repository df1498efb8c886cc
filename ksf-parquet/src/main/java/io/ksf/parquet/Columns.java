package io.ksf.parquet;

import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Types;

/**
 * The column types KSF writes, one place for the three schema sources ({@link JsonSchemas}, {@link AvroSchemas},
 * {@link InferredColumns}), so that a string, a timestamp or a list is the same column whichever gave it.
 */
final class Columns {
    private Columns() {
    }

    static Type plain(PrimitiveTypeName type, Type.Repetition repetition, String name) {
        return Types.primitive(type, repetition).named(name);
    }

    /** UTF-8 text. */
    static Type string(Type.Repetition repetition, String name) {
        return Types.primitive(PrimitiveTypeName.BINARY, repetition).as(LogicalTypeAnnotation.stringType())
                .named(name);
    }

    /** TIMESTAMP(MICROS, UTC) in an INT64. */
    static Type timestamp(Type.Repetition repetition, String name) {
        return Types.primitive(PrimitiveTypeName.INT64, repetition)
                .as(LogicalTypeAnnotation.timestampType(true, LogicalTypeAnnotation.TimeUnit.MICROS)).named(name);
    }

    /** DATE in an INT32. */
    static Type date(Type.Repetition repetition, String name) {
        return Types.primitive(PrimitiveTypeName.INT32, repetition).as(LogicalTypeAnnotation.dateType()).named(name);
    }

    /** The standard three-level list: a LIST group, a repeated group {@code list}, its {@code element}. */
    static Type list(Type.Repetition repetition, String name, Type element) {
        return Types.buildGroup(repetition).as(LogicalTypeAnnotation.listType())
                .addField(Types.repeatedGroup().addField(element).named("list")).named(name);
    }
}
