package io.ksf.checkpoint;

import io.ksf.spi.KsfException;
import org.junit.jupiter.api.Test;

import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A checkpoint store on a server is found by name; without its module, the error names the module. */
class CheckpointStoreFactoryTest {
    @Test
    void aStoreWhoseModuleIsMissingIsAnErrorThatNamesTheModule() {
        assertThatThrownBy(() -> CheckpointStoreFactory.create("kafka", new Properties(), "t", 1, "g"))
                .isInstanceOf(KsfException.class)
                .hasMessage("checkpoint kafka needs its module on the class path (ksf-kafka); found checkpoint "
                        + "stores: none");
    }
}
