CREATE INDEX "audit_log_username_idx" ON "atmobot"."audit_log" USING btree ("atmosphere_username","at");--> statement-breakpoint
CREATE INDEX "audit_log_chat_user_idx" ON "atmobot"."audit_log" USING btree ("platform","chat_user_id","at");--> statement-breakpoint
CREATE INDEX "audit_log_request_idx" ON "atmobot"."audit_log" USING btree (("detail" ->> 'requestId'),"at");--> statement-breakpoint
CREATE INDEX "audit_log_machine_request_idx" ON "atmobot"."audit_log" USING btree (("detail" ->> 'machineRequestId'),"at");