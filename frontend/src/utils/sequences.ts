// Words for sequence enrollments, shared by the Sequences page and a contact's Sequences card.
import type { SequenceEnrollment } from '../api/types'

export const ENROLLMENT_STATUS: Record<SequenceEnrollment['status'], string> = {
  active: 'Active',
  completed: 'Completed',
  replied: 'Replied',
  unsubscribed: 'Unsubscribed',
  stopped: 'Stopped',
  failed: 'Failed',
}
