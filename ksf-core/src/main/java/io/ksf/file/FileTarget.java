package io.ksf.file;

import io.ksf.spi.Check;
import io.ksf.spi.Format;
import io.ksf.spi.InvalidRecordException;
import io.ksf.spi.KsfException;
import io.ksf.spi.KsfRecord;
import io.ksf.spi.Positions;
import io.ksf.spi.RecordWriter;
import io.ksf.spi.SourcePartition;
import io.ksf.spi.SupportsHeldMemory;
import io.ksf.spi.SupportsRecovery;
import io.ksf.spi.SupportsServerCheck;
import io.ksf.spi.Target;
import io.ksf.spi.TargetContext;
import io.ksf.support.HeldBytes;
import io.ksf.support.ObjectLayout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Writes records to a local folder, one object per partition per flush, named by {@link ObjectLayout}. Records
 * are encoded straight into a hidden temporary file beside the object; {@link #flush()} syncs it to disk and
 * renames it atomically, so a crash never leaves a partial object and a replay rewrites the same names.
 */
public final class FileTarget implements Target, SupportsRecovery, SupportsServerCheck, SupportsHeldMemory {
    private static final Logger LOG = LoggerFactory.getLogger(FileTarget.class);

    private final Path root;
    private final String prefix;
    private final Format format;
    private final Map<SourcePartition, OpenObject> open = new TreeMap<>();
    private TargetContext context = TargetContext.NONE;
    private final HeldBytes held = new HeldBytes();

    /**
     * @param root   the folder objects go under
     * @param prefix prepended to every object path, such as {@code curated/}; may be null
     * @param format how records are encoded
     */
    public FileTarget(Path root, String prefix, Format format) {
        this.root = root;
        this.prefix = prefix == null ? "" : prefix;
        this.format = format;
    }

    @Override
    public void open(TargetContext context) {
        this.context = context;
    }

    @Override
    public void write(List<KsfRecord> records) {
        for (KsfRecord record : records) {
            OpenObject object = open.get(record.topicPartition());
            if (object == null) {
                object = new OpenObject(record);
                open.put(record.topicPartition(), object);
            }
            try {
                object.write(record);
            } catch (InvalidRecordException e) {
                context.reject(record, e); // its position still counts: the dead letter keeps it
            }
        }
        countHeld();
    }

    private void countHeld() {
        held.recount(open.values().stream().map(object -> object.writer));
    }

    @Override
    public long heldBytes() {
        return held.get();
    }

    @Override
    public Positions flush() {
        Map<SourcePartition, Long> durable = new HashMap<>();
        Iterator<Map.Entry<SourcePartition, OpenObject>> it = open.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<SourcePartition, OpenObject> entry = it.next();
            if (entry.getValue().records == 0) {
                entry.getValue().abandon(); // every record of it was rejected
            } else {
                entry.getValue().commit();
            }
            durable.put(entry.getKey(), entry.getValue().lastOffset + 1);
            it.remove();
        }
        held.clear();
        return Positions.of(durable);
    }

    @Override
    public boolean takesUndecoded(Format sourceFormat) {
        return sourceFormat.name().equals(format.name());
    }

    /** The folder exists or can be made; with a probe write, a file is written there and removed. */
    @Override
    public List<Check> check(Duration timeout, boolean probeWrite) {
        Path folder = root.resolve(prefix.isEmpty() ? "." : prefix).normalize();
        try {
            Files.createDirectories(folder);
            if (probeWrite) {
                Files.delete(Files.createTempFile(folder, ".ksf-check-", ".tmp"));
            }
            return List.of(Check.passed("folder " + folder, probeWrite ? "takes a write" : "exists"));
        } catch (IOException e) {
            return List.of(Check.failed("folder " + folder, "cannot write there: " + e));
        }
    }

    /** Deletes the objects (and temporary files) that a crashed run left at or past where the source resumes. */
    @Override
    public void recover(Positions resumeAt) {
        resumeAt.asMap().forEach((partition, next) -> {
            Path directory = root.resolve(ObjectLayout.directory(prefix, partition.topic(), partition.partition()));
            if (!Files.isDirectory(directory)) {
                return;
            }
            try (Stream<Path> files = Files.list(directory)) {
                for (Path file : files.filter(Files::isRegularFile).toList()) {
                    String name = file.getFileName().toString();
                    boolean temporary = name.startsWith(".") && name.endsWith(".tmp");
                    long first = ObjectLayout.firstOffset(temporary ? name.substring(1) : name, partition.topic(),
                            partition.partition());
                    if (temporary && first >= 0 || first >= next) {
                        LOG.info("deleting {}: stored past the resume position {} of {} by a run that did not "
                                + "commit it; the replay stores its records again", file, next, partition);
                        Files.deleteIfExists(file);
                    }
                }
            } catch (IOException e) {
                throw new KsfException("cannot recover " + directory + ": " + e.getMessage(), e);
            }
        });
    }

    @Override
    public void discard(Collection<SourcePartition> partitions) {
        for (SourcePartition partition : partitions) {
            OpenObject object = open.remove(partition);
            if (object != null) {
                object.abandon();
            }
        }
        countHeld();
    }

    /** Drops what was written and not flushed; it was never committed, so a restart reads it again. */
    @Override
    public void close() {
        discard(List.copyOf(open.keySet()));
    }

    /** The final path of an object, for tests and summaries. */
    public Path objectPath(String topic, int partition, long firstOffset) {
        return root.resolve(ObjectLayout.key(prefix, topic, partition, firstOffset, format.extension()));
    }

    /** One object being written: a temporary file that becomes the object on commit. */
    private final class OpenObject {
        private final Path finalPath;
        private final Path tempPath;
        private final FileOutputStream file;
        private final BufferedOutputStream buffer;
        private final RecordWriter writer;
        private long lastOffset;
        private long records;
        private boolean sealed;

        OpenObject(KsfRecord first) {
            finalPath = objectPath(first.topic(), first.partition(), first.offset());
            tempPath = finalPath.resolveSibling("." + finalPath.getFileName() + ".tmp");
            try {
                Files.createDirectories(finalPath.getParent());
                file = new FileOutputStream(tempPath.toFile());
            } catch (IOException e) {
                throw new KsfException("cannot create " + tempPath + ": " + e.getMessage(), e);
            }
            buffer = new BufferedOutputStream(file, 64 * 1024);
            writer = format.writer(buffer);
        }

        /** Writes a record; one that cannot be encoded is skipped (its position counted) and thrown. */
        void write(KsfRecord record) {
            lastOffset = record.offset();
            try {
                writer.write(record);
            } catch (IOException e) {
                throw new KsfException("cannot write " + record.origin() + " to " + tempPath + ": " + e.getMessage(), e);
            }
            records++;
        }

        /** Seals the temporary file (once, so a retried flush goes on where it failed) and renames it. */
        void commit() {
            try {
                if (!sealed) {
                    writer.close();
                    buffer.flush();
                    file.getFD().sync();
                    file.close();
                    sealed = true;
                }
                try {
                    Files.move(tempPath, finalPath, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tempPath, finalPath, StandardCopyOption.REPLACE_EXISTING);
                }
                syncDirectory(finalPath.getParent());
            } catch (IOException | UncheckedIOException e) {
                throw new KsfException("cannot store " + finalPath + ": " + e.getMessage(), e);
            }
        }

        void abandon() {
            try {
                file.close();
                Files.deleteIfExists(tempPath);
            } catch (IOException e) {
                LOG.warn("cannot delete {}: {}", tempPath, e.toString());
            }
        }
    }

    private static void syncDirectory(Path directory) {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // not every file system can sync a directory; the rename itself is already atomic
            LOG.debug("cannot sync directory {}: {}", directory, e.toString());
        }
    }
}
