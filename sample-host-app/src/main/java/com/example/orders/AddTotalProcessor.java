package com.example.orders;

import io.ksf.spi.InvalidRecordException;
import io.ksf.spi.KsfRecord;
import io.ksf.spi.Processor;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The host's own logic: an order gets {@code total = price * quantity}; an order without them is a dead letter. */
public final class AddTotalProcessor implements Processor {
    @Override
    public List<KsfRecord> process(KsfRecord record) {
        if (!(record.data() instanceof Map<?, ?> order) || !(order.get("price") instanceof Number price)
                || !(order.get("quantity") instanceof Number quantity)) {
            throw new InvalidRecordException("an order needs a numeric price and quantity");
        }
        Map<String, Object> enriched = new LinkedHashMap<>();
        order.forEach((key, value) -> enriched.put(String.valueOf(key), value));
        enriched.put("total", new BigDecimal(price.toString()).multiply(new BigDecimal(quantity.toString())));
        return List.of(record.withData(enriched));
    }
}
