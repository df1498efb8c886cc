package io.ksf.checkpoint;

import io.ksf.spi.KsfException;

import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.ServiceLoader;

/**
 * Makes the checkpoint stores of one kind that live on a server, found by {@link ServiceLoader} from the name a
 * source's {@code checkpoint} option gives: {@code kafka} (ksf-kafka: a compacted topic whose consumer group shares
 * the shards among instances). A source asks for one by name, so it does not depend on the module that has it.
 */
public interface CheckpointStoreFactory {

    /** The name in a source's {@code checkpoint} option. */
    String name();

    /**
     * A store of {@code shards} shards.
     *
     * @param cluster client properties of the server that keeps the checkpoints
     * @param where   where on it (a topic)
     * @param group   the group whose instances share the shards
     */
    CheckpointStore create(Properties cluster, String where, int shards, String group);

    /** The store made by the factory of this name on the class path; an error that names the module without one. */
    static CheckpointStore create(String name, Properties cluster, String where, int shards, String group) {
        List<String> found = new ArrayList<>();
        for (CheckpointStoreFactory factory : ServiceLoader.load(CheckpointStoreFactory.class,
                CheckpointStoreFactory.class.getClassLoader())) {
            if (factory.name().equals(name)) {
                return factory.create(cluster, where, shards, group);
            }
            found.add(factory.name());
        }
        throw new KsfException("checkpoint " + name + " needs its module on the class path (ksf-" + name
                + "); found checkpoint stores: " + (found.isEmpty() ? "none" : String.join(", ", found)));
    }
}
