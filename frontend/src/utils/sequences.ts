// Words for sequence enrollments, shared by the Sequences page and a contact's Sequences card.
import type { SequenceEnrollment } from '../api/types'
import { t } from '../i18n'

/** Where an enrollment stands, in the app's language. */
export function enrollmentStatus(status: SequenceEnrollment['status']): string {
  return t(`sequenceCard.status.${status}`)
}
