package io.ksf.docdb;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import io.ksf.support.Retry;
import io.ksf.testkit.EmbeddedMongo;
import org.bson.Document;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** Collections on the test MongoDB-wire server, and what a user reads back from them. */
final class Collections {
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private Collections() {
    }

    static String newDatabase(String name) {
        return name + COUNTER.incrementAndGet();
    }

    static DocDbTarget target(EmbeddedMongo mongo, String database, String idField, int batchSize) {
        MongoClient client = MongoClients.create(mongo.connectionString());
        return new DocDbTarget(client, client.getDatabase(database).getCollection("docs"), idField, batchSize,
                new Retry(Duration.ofSeconds(30), Duration.ofMillis(50), Duration.ofSeconds(1)));
    }

    /** Every document of a collection, sorted by _id. */
    static List<Document> documents(EmbeddedMongo mongo, String database, String collection) {
        try (MongoClient client = MongoClients.create(mongo.connectionString())) {
            MongoCollection<Document> docs = client.getDatabase(database).getCollection(collection);
            return docs.find().sort(new Document("_id", 1)).into(new ArrayList<>());
        }
    }

    /** A document without its _id as compact JSON, keys in stored order. */
    static String json(Document document) {
        LinkedHashMap<String, Object> copy = new LinkedHashMap<>(document);
        copy.remove("_id");
        try {
            return MAPPER.writeValueAsString(copy);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
