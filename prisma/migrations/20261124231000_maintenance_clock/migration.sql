-- CreateIndex
CREATE INDEX "Maintenance_status_scheduledStart_idx" ON "Maintenance"("status", "scheduledStart");
