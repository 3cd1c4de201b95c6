/** The answers of `npx plop event <service> <EventName>`, as typed (unvalidated). */
export interface EventSchema {
  service: string;
  eventName: string;
}
