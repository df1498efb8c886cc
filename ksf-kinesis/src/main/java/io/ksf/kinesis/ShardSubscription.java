package io.ksf.kinesis;

import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import software.amazon.awssdk.services.kinesis.model.SubscribeToShardEvent;
import software.amazon.awssdk.services.kinesis.model.SubscribeToShardEventStream;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * One enhanced fan-out subscription to a shard: the events Kinesis pushes, kept until the poll thread takes them.
 * It asks for one event more each time one is taken, so a paused shard holds at most one event and Kinesis's flow
 * control does the rest. Events arrive on the SDK's threads; everything else happens on the poll thread.
 */
final class ShardSubscription implements Subscriber<SubscribeToShardEventStream> {
    private final Queue<SubscribeToShardEvent> events = new ConcurrentLinkedQueue<>();
    private final Runnable onArrival;
    private final long startedNanos = System.nanoTime();
    private volatile Subscription subscription;
    private volatile Throwable failure;
    private volatile boolean ended;
    private volatile boolean cancelled;

    /** @param onArrival called on the SDK's thread when an event, an error or the end arrives */
    ShardSubscription(Runnable onArrival) {
        this.onArrival = onArrival;
    }

    @Override
    public void onSubscribe(Subscription subscription) {
        this.subscription = subscription;
        if (cancelled) {
            subscription.cancel();
        } else {
            subscription.request(1);
        }
    }

    @Override
    public void onNext(SubscribeToShardEventStream event) {
        if (event instanceof SubscribeToShardEvent records) {
            events.add(records);
            onArrival.run();
        } else {
            subscription.request(1); // an event type of a later API version: not ours
        }
    }

    @Override
    public void onError(Throwable error) {
        fail(error);
    }

    @Override
    public void onComplete() {
        ended = true;
        onArrival.run();
    }

    /** The subscription call failed, before or after its first event. */
    void fail(Throwable error) {
        if (failure == null) {
            failure = error;
        }
        ended = true;
        onArrival.run();
    }

    /** The next event, or null; taking one asks Kinesis for the one after it. */
    SubscribeToShardEvent next() {
        SubscribeToShardEvent event = events.poll();
        if (event != null && !cancelled) {
            subscription.request(1);
        }
        return event;
    }

    /** Whether it ended (Kinesis ends each after 5 minutes, or it failed) and every event it brought was taken. */
    boolean finished() {
        return ended && events.isEmpty();
    }

    /** Why it failed, or null when it ended normally or is still open. */
    Throwable failure() {
        return failure;
    }

    /** How long ago it was made. */
    long ageNanos() {
        return System.nanoTime() - startedNanos;
    }

    /** Ends it; the events not taken are dropped (they are read again from where the last taken one ended). */
    void cancel() {
        cancelled = true;
        ended = true;
        events.clear();
        Subscription current = subscription;
        if (current != null) {
            current.cancel();
        }
    }
}
