import { TaneError } from '@tane/core';

/** `TOPIC_NOT_FOUND` naming the topic, the store and the command that creates it. */
export function topicNotFound(topic: string, store: string): TaneError {
  return new TaneError('TOPIC_NOT_FOUND', `topic '${topic}' does not exist in the local store ${store}`, {
    where: `topic ${topic}`,
    hint: `create it with \`tane topics create ${topic} --partitions <n>\` (running the pipeline once also creates its topics)`,
  });
}

/** A partition number outside the topic. */
export function partitionOutOfRange(topic: string, partition: number, partitions: number): TaneError {
  return new TaneError(
    'TRANSPORT_ERROR',
    `partition ${partition} does not exist in topic '${topic}' (it has ${partitions}: 0–${partitions - 1})`,
    {
      where: `${topic}/${partition}`,
      hint: 'leave `partition` out to pick one from the key, or give a number below the partition count',
    },
  );
}

const LEGAL_NAME = /^[a-zA-Z0-9._-]{1,249}$/;

/** Kafka's topic name rules, so a topic made locally can be made on a broker too. */
export function checkTopicName(name: string): void {
  if (!LEGAL_NAME.test(name) || name === '.' || name === '..') {
    throw new TaneError('TRANSPORT_ERROR', `invalid topic name ${JSON.stringify(name)}`, {
      where: `topic ${name}`,
      hint: 'use 1–249 characters among a-z A-Z 0-9 . _ - (the names Kafka accepts)',
    });
  }
}
