"""What an attachment is: its row (`models.Attachment`, registered with `sms.models`) and the
pure rules about file types and sizes (`kinds`). The fetching and serving are in
`sms.attachments`."""
