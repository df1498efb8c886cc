/**
 * Test support for KSF adapters and host applications: an in-memory {@link io.ksf.testkit.InMemorySource} and
 * {@link io.ksf.testkit.InMemoryTarget}, a {@link io.ksf.testkit.RunningPipeline} handle, and the contract suites
 * every adapter passes ({@link io.ksf.testkit.TargetContract}, {@link io.ksf.testkit.FormatContract},
 * {@link io.ksf.testkit.ProcessorContract}). Use it in test scope.
 */
package io.ksf.testkit;
