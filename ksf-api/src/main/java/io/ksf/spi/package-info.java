/**
 * The KSF service-provider interface: everything an adapter or a host application implements or receives.
 *
 * <ul>
 *   <li>{@link io.ksf.spi.Source}, {@link io.ksf.spi.Processor}, {@link io.ksf.spi.Target} and
 *       {@link io.ksf.spi.Format}, each made by its factory ({@link io.ksf.spi.SourceFactory} ...), which
 *       {@link java.util.ServiceLoader} finds by {@link io.ksf.spi.Factory#name()}.</li>
 *   <li>What only some adapters can do, each a small interface the runtime looks for:
 *       {@link io.ksf.spi.SupportsResumePositions}, {@link io.ksf.spi.SupportsLag},
 *       {@link io.ksf.spi.SupportsDeadLetterNotice}, {@link io.ksf.spi.SupportsStoredNotice},
 *       {@link io.ksf.spi.SupportsServerCheck}, {@link io.ksf.spi.SupportsTopicMetadata},
 *       {@link io.ksf.spi.SupportsTransactionalState},
 *       {@link io.ksf.spi.SupportsRecovery}, {@link io.ksf.spi.SupportsPositionCommit}.</li>
 *   <li>What the runtime offers adapters: {@link io.ksf.spi.SourceContext} and {@link io.ksf.spi.TargetContext}.</li>
 *   <li>The record model {@link io.ksf.spi.KsfRecord} and the position model {@link io.ksf.spi.Positions}
 *       (next offset to read, per {@link io.ksf.spi.SourcePartition}).</li>
 *   <li>Declared options ({@link io.ksf.spi.Option}) and their validated values ({@link io.ksf.spi.Options}).</li>
 *   <li>One unchecked exception root, {@link io.ksf.spi.KsfException}, with {@link io.ksf.spi.RetriableException},
 *       {@link io.ksf.spi.InvalidRecordException} and {@link io.ksf.spi.ConfigException}.</li>
 * </ul>
 */
package io.ksf.spi;
