// The StoreLocator remote component: a vanilla ES module the client imports and mounts with the render's
// props. It builds DOM nodes (no innerHTML), so store data can never inject markup.

/**
 * @param {HTMLElement} element where to render
 * @param {{ stores: { id: string, name: string, address: string, phone: string, latitude: number, longitude: number, services: string[] }[], city?: string }} props
 * @returns {() => void} unmounts the component
 */
export function StoreLocator(element, props) {
  const root = document.createElement('section')
  root.className = 'store-locator'
  const title = document.createElement('h2')
  title.textContent = props.stores.length === 1 ? 'Our store' : `Our ${props.stores.length} stores`
  root.append(title)

  const list = document.createElement('ul')
  for (const store of props.stores) {
    const item = document.createElement('li')
    const name = document.createElement('strong')
    name.textContent = store.name
    const address = document.createElement('div')
    address.textContent = store.address
    const phone = document.createElement('a')
    phone.href = `tel:${store.phone.replace(/\s+/g, '')}`
    phone.textContent = store.phone
    const map = document.createElement('a')
    map.href = `https://www.openstreetmap.org/?mlat=${store.latitude}&mlon=${store.longitude}#map=16/${store.latitude}/${store.longitude}`
    map.target = '_blank'
    map.rel = 'noopener noreferrer'
    map.textContent = 'Map'
    const directions = document.createElement('button')
    directions.type = 'button'
    directions.textContent = 'Distance from me'
    const distance = document.createElement('span')
    directions.addEventListener('click', () => {
      if (!navigator.geolocation) {
        distance.textContent = ' (location unavailable)'
        return
      }
      navigator.geolocation.getCurrentPosition(
        ({ coords }) => {
          distance.textContent = ` ${kilometres(coords.latitude, coords.longitude, store.latitude, store.longitude).toFixed(0)} km away`
        },
        () => {
          distance.textContent = ' (location refused)'
        },
      )
    })
    const services = document.createElement('div')
    services.className = 'services'
    services.textContent = store.services.join(' · ')
    item.append(name, address, phone, ' · ', map, ' · ', directions, distance, services)
    list.append(item)
  }
  root.append(list)
  element.replaceChildren(root)
  return () => root.remove()
}

/** Great-circle distance in kilometres. */
function kilometres(lat1, lon1, lat2, lon2) {
  const rad = Math.PI / 180
  const a =
    Math.sin(((lat2 - lat1) * rad) / 2) ** 2 +
    Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(((lon2 - lon1) * rad) / 2) ** 2
  return 12_742 * Math.asin(Math.sqrt(a))
}
