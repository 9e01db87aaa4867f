import { Injectable, Module } from '@nestjs/common';
import { StreamService, StreamsModule } from 'nestjs-jetstream-streams';

/** Billing declares the streams it owns; they are ensured at start-up with all the others. */
@Injectable()
export class InvoiceEvents {
  constructor(private readonly streams: StreamService) {}

  /** Publishes through the library's connection, after making sure the stream is there. */
  publishIssued(invoiceId: string): Promise<number> {
    return this.streams.streamScope('invoices', ['invoices.>'], { max_age: '90d' }, async (js) => {
      const ack = await js.publish(`invoices.issued.${invoiceId}`, JSON.stringify({ invoiceId }));
      return ack.seq;
    });
  }
}

@Module({
  imports: [
    StreamsModule.forFeature([
      { name: 'invoices', subjects: ['invoices.>'], max_age: '90d' },
      { name: 'refunds', subjects: ['refunds.>'], max_age: '90d', deny_delete: true },
    ]),
  ],
  providers: [InvoiceEvents],
  exports: [InvoiceEvents],
})
export class BillingModule {}
