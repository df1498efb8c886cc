/**
 * What an adapter may use besides the SPI, kept stable as the SPI is:
 * <ul>
 *   <li>{@link io.ksf.support.Retry}: retries with exponential backoff within a time bound, for calls to a server
 *       that may fail for a while ({@link io.ksf.spi.RetriableException}).</li>
 *   <li>{@link io.ksf.support.Fields}: dotted field paths ({@code customer.id}) into decoded records.</li>
 *   <li>{@link io.ksf.support.DeadLetters}: the shape of a dead letter (original bytes, origin and error
 *       headers), for adapters that route dead letters themselves.</li>
 *   <li>{@link io.ksf.support.ObjectLayout}: the object names the file and s3 targets share.</li>
 *   <li>{@link io.ksf.support.Utf8}: the checks of UTF-8 text that JSON decoders need.</li>
 *   <li>{@link io.ksf.support.HeldBytes}: what a target's open writers hold, for
 *       {@link io.ksf.spi.SupportsHeldMemory}.</li>
 * </ul>
 * Everything else of the runtime ({@code io.ksf.pipeline}, {@code io.ksf.config}) is not for adapters.
 */
package io.ksf.support;
