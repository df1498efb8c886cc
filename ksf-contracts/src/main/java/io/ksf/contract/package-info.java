/**
 * Light test support on the API alone (JUnit and AssertJ, no servers): the contract suites every adapter passes
 * ({@link io.ksf.contract.SourceContract}, {@link io.ksf.contract.TargetContract},
 * {@link io.ksf.contract.FormatContract}, {@link io.ksf.contract.ProcessorContract}), an in-memory
 * {@link io.ksf.contract.InMemorySource} and {@link io.ksf.contract.InMemoryTarget}, delegates to break one step
 * of another adapter, and {@link io.ksf.contract.RunningTask} to run a pipeline on a thread. Use it in test scope;
 * the real servers are in {@code ksf-testkit}.
 */
package io.ksf.contract;
