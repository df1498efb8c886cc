package io.ksf.spi;

/**
 * A target whose open objects hold heap that the records' own weight does not show (the s3 and file targets,
 * whose Parquet writers keep buffers per column); the runtime adds it to the bytes in flight, so that when the
 * memory budget is full the open objects are finished by a flush rather than growing the heap.
 */
public interface SupportsHeldMemory {

    /** Bytes held by the open objects now; read from the poll thread while another thread may write. */
    long heldBytes();
}
